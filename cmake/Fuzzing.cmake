# cti_add_fuzzer(<name> SOURCES <files> CORPUS <dir> [INCLUDES <dirs>] [LIBS <targets>])
#
# One fuzzer of a parser of untrusted text, with its checked-in seed corpus:
# - clang with CTI_BUILD_FUZZERS=ON: a libFuzzer target with ASan and UBSan (put the code
#   under test in SOURCES, or link an instrumented copy, so it gets coverage feedback); ctest
#   (label fuzz) runs it for CTI_FUZZ_SECONDS on a copy of the corpus, leaving the seeds as
#   they are;
# - otherwise (g++ included): linked with tests/fuzz/replay_main.cpp, and ctest (label fuzz)
#   replays the corpus, so every build keeps checking every seed.
set(CTI_FUZZ_SECONDS 20 CACHE STRING "How long ctest runs each fuzzer (CTI_BUILD_FUZZERS=ON)")
if(CTI_BUILD_FUZZERS AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "CTI_BUILD_FUZZERS=ON needs clang for libFuzzer: configure with CXX=clang++")
endif()
set(CTI_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

function(cti_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;INCLUDES;LIBS" ${ARGN})
  if(CTI_BUILD_FUZZERS)
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${CTI_FUZZ_SANITIZERS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    set(work_dir ${CMAKE_CURRENT_BINARY_DIR}/corpus/${name})
    add_test(NAME ${name}_corpus COMMAND ${CMAKE_COMMAND} -E copy_directory ${ARG_CORPUS} ${work_dir})
    add_test(NAME ${name}
      COMMAND ${name} -max_total_time=${CTI_FUZZ_SECONDS} -rss_limit_mb=2048 -timeout=10
              -print_final_stats=1 ${work_dir}
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(${name}_corpus PROPERTIES FIXTURES_SETUP ${name}_corpus LABELS fuzz)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED ${name}_corpus LABELS fuzz)
  else()
    add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    add_test(NAME ${name} COMMAND ${name} ${ARG_CORPUS})
    set_tests_properties(${name} PROPERTIES LABELS fuzz)
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${ARG_INCLUDES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  cti_apply_defaults(${name})
endfunction()
