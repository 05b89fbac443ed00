#pragma once

// main() for lab tests: they need a usable /dev/kvm (the KVM lab gives one, tests/lab/run). Where
// there is none the whole test exits 77 with the reason, which CTest reports as skipped: a lab
// test never passes without having run.

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

#include <QTest>

#define AIRLOCK_LAB_TEST_MAIN(TestClass)                                                           \
    int main(int argc, char** argv)                                                                \
    {                                                                                              \
        int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);                                           \
        if (fd < 0) {                                                                              \
            std::printf("SKIPPED: no usable /dev/kvm on this machine; run lab tests inside the "   \
                        "KVM lab: tests/lab/run ctest --test-dir BUILD -L lab\n");                 \
            return 77;                                                                             \
        }                                                                                          \
        ::close(fd);                                                                               \
        TestClass test;                                                                            \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
