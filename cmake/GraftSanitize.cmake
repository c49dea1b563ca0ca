# GRAFT_SANITIZE="address;undefined" instruments every target of the project.
if(GRAFT_SANITIZE)
    string(REPLACE ";" "," _graft_sanitizers "${GRAFT_SANITIZE}")
    message(STATUS "Graft: building with -fsanitize=${_graft_sanitizers}")
    add_compile_options(-fsanitize=${_graft_sanitizers} -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=${_graft_sanitizers})
endif()
