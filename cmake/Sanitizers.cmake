# cti_sanitizers: an INTERFACE target that turns on the sanitizers listed in
# CTI_SANITIZE (e.g. "address;undefined"). Linked PRIVATE by every target we build.
add_library(cti_sanitizers INTERFACE)
add_library(cti::sanitizers ALIAS cti_sanitizers)
if(CTI_SANITIZE)
  list(JOIN CTI_SANITIZE "," _cti_sanitize_list)
  target_compile_options(cti_sanitizers INTERFACE
    -fsanitize=${_cti_sanitize_list} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(cti_sanitizers INTERFACE -fsanitize=${_cti_sanitize_list})
endif()

# cti_apply_defaults(target): the project-wide PRIVATE flavour of every target.
# BUILD_INTERFACE keeps these flag targets out of the installed export set.
function(cti_apply_defaults target)
  target_link_libraries(${target} PRIVATE
    $<BUILD_INTERFACE:cti::warnings> $<BUILD_INTERFACE:cti::sanitizers>)
endfunction()
