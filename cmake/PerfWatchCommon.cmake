# Project-wide compile settings, applied by linking PerfWatch::Common.
add_library(perfwatch_common INTERFACE)
add_library(PerfWatch::Common ALIAS perfwatch_common)

target_compile_features(perfwatch_common INTERFACE cxx_std_20)
target_compile_definitions(perfwatch_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT)
target_compile_options(perfwatch_common INTERFACE -Wall -Wextra -Wpedantic)
if(PERFWATCH_WERROR)
    target_compile_options(perfwatch_common INTERFACE -Werror)
endif()
if(PERFWATCH_SANITIZE)
    # GCC leaves float-cast-overflow out of "undefined" (clang does not); the fuzzers found one.
    target_compile_options(perfwatch_common INTERFACE -fsanitize=address,undefined,float-cast-overflow
                                                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow)
    target_link_options(perfwatch_common INTERFACE -fsanitize=address,undefined,float-cast-overflow)
endif()
if(PERFWATCH_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "PERFWATCH_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                            "or use the fuzz preset")
    endif()
    # Coverage feedback for the fuzzer in every library; the fuzz targets add -fsanitize=fuzzer
    # when they link (see fuzz/CMakeLists.txt).
    target_compile_options(perfwatch_common INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(perfwatch_common INTERFACE -fsanitize=address,undefined)
endif()
