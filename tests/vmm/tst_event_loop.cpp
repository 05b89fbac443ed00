// The device event loop every virtio device and the control channel run on: callbacks reach the
// right owner even when registrations change while a round is dispatched, and other threads can
// hand it work.

#include "sys/EventFd.h"
#include "sys/EventLoop.h"

#include <sys/epoll.h>

#include <thread>
#include <vector>

#include <QTest>

using vmm::EventFd;
using vmm::EventLoop;

class EventLoopTest : public QObject {
    Q_OBJECT

private slots:
    void readyFdRunsItsCallback()
    {
        auto loop = EventLoop::create();
        QVERIFY(loop);
        auto event = EventFd::create();
        QVERIFY(event);
        int calls = 0;
        QVERIFY(loop->add(event->fd(), EPOLLIN, [&](uint32_t events) {
            QVERIFY(events & EPOLLIN);
            event->consume();
            ++calls;
        }));
        QCOMPARE(*loop->runOnce(0), 0); // nothing signalled: nothing runs
        event->signal();
        QCOMPARE(*loop->runOnce(1000), 1);
        QCOMPARE(calls, 1);
    }

    void aFdIsWatchedOnce()
    {
        auto loop = EventLoop::create();
        auto event = EventFd::create();
        QVERIFY(loop->add(event->fd(), EPOLLIN, [](uint32_t) { }));
        auto again = loop->add(event->fd(), EPOLLIN, [](uint32_t) { });
        QVERIFY(!again);
        QVERIFY(again.error().message().find("already watched") != std::string::npos);
    }

    // A callback that removes another ready registration in the same round: the removed one must
    // not run (its owner may be gone).
    void removedInTheSameRoundDoesNotRun()
    {
        auto loop = EventLoop::create();
        auto first = EventFd::create();
        auto second = EventFd::create();
        int ran = 0;
        auto removeOther = [&](int other) {
            return [&, other](uint32_t) {
                ++ran;
                loop->remove(other);
            };
        };
        QVERIFY(loop->add(first->fd(), EPOLLIN, removeOther(second->fd())));
        QVERIFY(loop->add(second->fd(), EPOLLIN, removeOther(first->fd())));
        first->signal();
        second->signal();
        QCOMPARE(*loop->runOnce(1000), 1);
        QCOMPARE(ran, 1);
    }

    // A fd number closed and reused by a new registration reaches only the new callback.
    void reusedFdNumberReachesTheNewOwner()
    {
        auto loop = EventLoop::create();
        int oldCalls = 0;
        int newCalls = 0;
        int number = -1;
        {
            auto old = EventFd::create();
            number = old->fd();
            QVERIFY(loop->add(number, EPOLLIN, [&](uint32_t) { ++oldCalls; }));
            loop->remove(number);
        }
        auto fresh = EventFd::create();
        QCOMPARE(fresh->fd(), number); // the kernel hands out the lowest free number
        QVERIFY(loop->add(fresh->fd(), EPOLLIN, [&](uint32_t) {
            fresh->consume();
            ++newCalls;
        }));
        fresh->signal();
        QCOMPARE(*loop->runOnce(1000), 1);
        QCOMPARE(oldCalls, 0);
        QCOMPARE(newCalls, 1);
    }

    void postedTasksRunOnTheLoopThread()
    {
        auto loop = EventLoop::create();
        std::thread::id ranOn;
        std::thread poster([&] { loop->post([&] { ranOn = std::this_thread::get_id(); }); });
        poster.join();
        QCOMPARE(*loop->runOnce(1000), 1); // the post woke the wait
        QCOMPARE(ranOn, std::this_thread::get_id());
    }
};

QTEST_APPLESS_MAIN(EventLoopTest)
#include "tst_event_loop.moc"
