# cti_warnings: an INTERFACE target carrying the warning flags; link it PRIVATE.
add_library(cti_warnings INTERFACE)
add_library(cti::warnings ALIAS cti_warnings)
target_compile_options(cti_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2
  -Wimplicit-fallthrough
  $<$<BOOL:${CTI_WARNINGS_AS_ERRORS}>:-Werror>)
# g++ 12 (Debian 12's compiler) at -O3 reports std::string's own copies, e.g. "[" + text, as
# overlapping memcpy calls of exabytes (reported as GCC bug 105329; libstdc++ internals): a
# Release build would fail on code that is correct. Only there: -O2 builds, other compilers
# and other versions keep the check.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(cti_warnings INTERFACE $<$<CONFIG:Release>:-Wno-restrict>)
endif()
