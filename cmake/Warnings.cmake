# cti_warnings: an INTERFACE target carrying the warning flags; link it PRIVATE.
add_library(cti_warnings INTERFACE)
add_library(cti::warnings ALIAS cti_warnings)
target_compile_options(cti_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2
  -Wimplicit-fallthrough
  $<$<BOOL:${CTI_WARNINGS_AS_ERRORS}>:-Werror>)
