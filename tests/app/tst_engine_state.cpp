// The session's state machine: every legal move and every illegal one. A user would notice a
// session that "resumes" after it was shredded, or that skips shredding on the way to Ended.

#include "EngineState.h"

#include <QTest>

using app::EngineState;

namespace {
const QList<EngineState> kAllStates = {EngineState::Starting, EngineState::Running,
    EngineState::Paused, EngineState::Stopping, EngineState::Shredding, EngineState::Ended,
    EngineState::Failed};

// The full table of legal moves (from, to); everything else is illegal.
const QList<QPair<EngineState, EngineState>> kLegal = {
    {EngineState::Starting, EngineState::Running},
    {EngineState::Starting, EngineState::Stopping},
    {EngineState::Starting, EngineState::Shredding},
    {EngineState::Starting, EngineState::Failed},
    {EngineState::Running, EngineState::Paused},
    {EngineState::Running, EngineState::Stopping},
    {EngineState::Running, EngineState::Shredding},
    {EngineState::Running, EngineState::Failed},
    {EngineState::Paused, EngineState::Running},
    {EngineState::Paused, EngineState::Stopping},
    {EngineState::Paused, EngineState::Shredding},
    {EngineState::Paused, EngineState::Failed},
    {EngineState::Stopping, EngineState::Shredding},
    {EngineState::Stopping, EngineState::Failed},
    {EngineState::Shredding, EngineState::Ended},
    {EngineState::Shredding, EngineState::Failed},
};
} // namespace

class EngineStateTest : public QObject {
    Q_OBJECT

private slots:
    void everyPairIsLegalExactlyWhenTheTableSaysSo()
    {
        for (EngineState from : kAllStates) {
            for (EngineState to : kAllStates) {
                bool expected = kLegal.contains(qMakePair(from, to));
                QVERIFY2(app::isLegalTransition(from, to) == expected,
                    qPrintable(
                        QStringLiteral("%1 -> %2 should be %3")
                            .arg(app::engineStateName(from), app::engineStateName(to),
                                expected ? QStringLiteral("legal") : QStringLiteral("illegal"))));
            }
        }
    }

    void theWholeLifeRunsInOrder()
    {
        app::EngineStateMachine machine;
        QCOMPARE(machine.state(), EngineState::Starting);
        for (EngineState next : {EngineState::Running, EngineState::Paused, EngineState::Running,
                 EngineState::Stopping, EngineState::Shredding, EngineState::Ended}) {
            QVERIFY(machine.transition(next, QStringLiteral("step")));
            QCOMPARE(machine.state(), next);
        }
    }

    void anIllegalMoveIsRefusedAndChangesNothing()
    {
        app::EngineStateMachine machine;
        QVERIFY(machine.transition(EngineState::Running, QStringLiteral("booted")));
        auto refused = machine.transition(EngineState::Ended, QStringLiteral("skipping the shred"));
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral("Running")));
        QVERIFY(refused.error().message.contains(QStringLiteral("Ended")));
        QCOMPARE(machine.state(), EngineState::Running);
        QCOMPARE(machine.reason(), QStringLiteral("booted"));
    }

    void finalStatesAreFinal()
    {
        for (EngineState final : {EngineState::Ended, EngineState::Failed}) {
            QVERIFY(app::isFinalState(final));
            for (EngineState to : kAllStates)
                QVERIFY(!app::isLegalTransition(final, to));
        }
        app::EngineStateMachine machine;
        QVERIFY(machine.transition(EngineState::Failed, QStringLiteral("the engine crashed")));
        QCOMPARE(machine.reason(), QStringLiteral("the engine crashed"));
        QVERIFY(!machine.transition(EngineState::Running));
        QCOMPARE(machine.state(), EngineState::Failed);
    }

    void failedIsReachableFromEveryLiveState()
    {
        for (EngineState from : kAllStates) {
            if (!app::isFinalState(from))
                QVERIFY(app::isLegalTransition(from, EngineState::Failed));
        }
    }
};

QTEST_GUILESS_MAIN(EngineStateTest)
#include "tst_engine_state.moc"
