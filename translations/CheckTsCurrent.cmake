# Fails when a tr() string in the sources is missing from a translation, or untranslated: runs
# lupdate over the sources into a copy of the .ts and looks for unfinished messages.
#   cmake -DLUPDATE=... -DTS=... -DCOPY=... -DSOURCE_LIST=file-with-one-source-per-line [-DPLURALS=ON]
#         -P CheckTsCurrent.cmake
# PLURALS: the .ts holds plural messages only (perfwatch_en.ts, lupdate -pluralonly).
file(STRINGS "${SOURCE_LIST}" SOURCES)
configure_file("${TS}" "${COPY}" COPYONLY)
set(options -no-obsolete -locations none)
if(PLURALS)
    list(APPEND options -pluralonly)
endif()
execute_process(COMMAND "${LUPDATE}" ${options} ${SOURCES} -ts "${COPY}"
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
get_filename_component(ts_name "${TS}" NAME)
if(count GREATER 0)
    foreach(m IN LISTS missing)
        string(REGEX REPLACE "<source>([^<]*)</source>.*" "\\1" src "${m}")
        string(REPLACE "{semicolon}" ";" src "${src}")
        message("not translated: ${src}")
    endforeach()
    if(PLURALS)
        message(FATAL_ERROR "${count} plural message(s) in the sources have no forms in ${ts_name}: "
                            "build the perfwatch_views_lupdate_plurals target (translations/README.md)")
    endif()
    message(FATAL_ERROR "${count} message(s) in the sources are not translated in ${ts_name}: "
                        "build the perfwatch_views_lupdate target and translate them in translations/${ts_name} "
                        "(translations/README.md)")
endif()
message("every tr() message in the sources is in ${ts_name}, translated")
