# airlock_hardening: hardening flags for optimized builds, sanitizers on request (STYLE.md §15).
add_library(airlock_hardening INTERFACE)
target_compile_options(airlock_hardening INTERFACE
    -fstack-protector-strong -fstack-clash-protection -fcf-protection
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3>
    -D_GLIBCXX_ASSERTIONS)
target_link_options(airlock_hardening INTERFACE -Wl,-z,relro,-z,now)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()

if(AIRLOCK_SANITIZE)
    target_compile_options(airlock_hardening INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(airlock_hardening INTERFACE -fsanitize=address,undefined)
endif()
