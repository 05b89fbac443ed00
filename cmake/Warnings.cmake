# airlock_warnings: the warning set every Airlock target links (STYLE.md §15).
add_library(airlock_warnings INTERFACE)
target_compile_options(airlock_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(AIRLOCK_WERROR)
    target_compile_options(airlock_warnings INTERFACE -Werror)
endif()
