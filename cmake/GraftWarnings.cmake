# graft_warnings(target): our warning set; third-party headers are included as SYSTEM.
function(graft_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
endfunction()
