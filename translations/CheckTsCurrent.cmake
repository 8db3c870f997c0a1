# Fails when a tr() string in the sources is missing from the German translation, or untranslated:
# runs lupdate over the sources into a copy of perfwatch_de.ts and looks for unfinished messages.
#   cmake -DLUPDATE=... -DTS=... -DCOPY=... -DSOURCE_LIST=file-with-one-source-per-line -P CheckTsCurrent.cmake
file(STRINGS "${SOURCE_LIST}" SOURCES)
configure_file("${TS}" "${COPY}" COPYONLY)
execute_process(COMMAND "${LUPDATE}" -no-obsolete -locations none ${SOURCES} -ts "${COPY}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${rc}): ${err}")
endif()
file(READ "${COPY}" text)
string(REPLACE ";" "{semicolon}" text "${text}") # keep messages whole in CMake lists
# Between a message's source and its translation lupdate may write a <comment> (tr()'s
# disambiguation), <extracomment> or <oldsource>; they must not hide an unfinished message.
string(REGEX MATCHALL "<source>[^<]*</source>([ \t\r\n]|<[a-z]+>[^<]*</[a-z]+>)*<translation type=\"unfinished\""
       missing "${text}")
list(LENGTH missing count)
if(count GREATER 0)
    foreach(m IN LISTS missing)
        string(REGEX REPLACE "<source>([^<]*)</source>.*" "\\1" src "${m}")
        string(REPLACE "{semicolon}" ";" src "${src}")
        message("not translated: ${src}")
    endforeach()
    message(FATAL_ERROR "${count} message(s) in the sources have no German translation: "
                        "build the perfwatch_views_lupdate target and translate them in translations/perfwatch_de.ts "
                        "(translations/README.md)")
endif()
message("every tr() message in the sources is translated")
