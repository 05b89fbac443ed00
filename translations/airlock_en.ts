<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>app::AuditWriter</name>
    <message numerus="yes">
        <source>Airlock could not write to the audit trail (%1). %n event(s) wait in memory and are written as soon as the trail accepts them. Free space on the disk that holds %2 and keep Airlock open until then: quitting now would lose them.</source>
        <translation>
            <numerusform>Airlock could not write to the audit trail (%1). %n event waits in memory and is written as soon as the trail accepts it. Free space on the disk that holds %2 and keep Airlock open until then: quitting now would lose it.</numerusform>
            <numerusform>Airlock could not write to the audit trail (%1). %n events wait in memory and are written as soon as the trail accepts them. Free space on the disk that holds %2 and keep Airlock open until then: quitting now would lose them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>app::ManagedSession</name>
    <message numerus="yes">
        <source>The session reached its maximum lifetime of %n minute(s) and was closed.</source>
        <translation>
            <numerusform>The session reached its maximum lifetime of %n minute and was closed.</numerusform>
            <numerusform>The session reached its maximum lifetime of %n minutes and was closed.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>app::cli::RunSession</name>
    <message numerus="yes">
        <source>session %1 shredded: %n item(s) destroyed and verified</source>
        <translation>
            <numerusform>session %1 shredded: %n item destroyed and verified</numerusform>
            <numerusform>session %1 shredded: %n items destroyed and verified</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::AuditView</name>
    <message numerus="yes">
        <source>%n event(s) shown</source>
        <translation>
            <numerusform>%n event shown</numerusform>
            <numerusform>%n events shown</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) of the session saved to %1.</source>
        <translation>
            <numerusform>%n event of the session saved to %1.</numerusform>
            <numerusform>%n events of the session saved to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::CloseQuestion</name>
    <message numerus="yes">
        <source>%n outbox file(s) of &quot;%1&quot; were never exported.</source>
        <translation>
            <numerusform>%n outbox file of &quot;%1&quot; was never exported.</numerusform>
            <numerusform>%n outbox files of &quot;%1&quot; were never exported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>… and %n more</numerusform>
            <numerusform>… and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::MainWindow</name>
    <message numerus="yes">
        <source>%n session(s) running</source>
        <translation>
            <numerusform>%n session running</numerusform>
            <numerusform>%n sessions running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Audit trail: %n event(s)</source>
        <translation>
            <numerusform>Audit trail: %n event</numerusform>
            <numerusform>Audit trail: %n events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Adding %n dataset(s) to &quot;%1&quot;…</source>
        <translation>
            <numerusform>Adding %n dataset to &quot;%1&quot;…</numerusform>
            <numerusform>Adding %n datasets to &quot;%1&quot;…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n session(s) still running.</source>
        <translation>
            <numerusform>%n session still running.</numerusform>
            <numerusform>%n sessions still running.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopping and shredding %n session(s)…</source>
        <translation>
            <numerusform>Stopping and shredding %n session…</numerusform>
            <numerusform>Stopping and shredding %n sessions…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::OutboxPanel</name>
    <message numerus="yes">
        <source>%n file(s) in /outbox, listed at %1.</source>
        <translation>
            <numerusform>%n file in /outbox, listed at %1.</numerusform>
            <numerusform>%n files in /outbox, listed at %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files selected.</source>
        <translation>
            <numerusform>%n file selected.</numerusform>
            <numerusform>%n files selected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) exported</source>
        <translation>
            <numerusform>%n file exported</numerusform>
            <numerusform>%n files exported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n skipped</source>
        <translation>
            <numerusform>, %n skipped</numerusform>
            <numerusform>, %n skipped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed. </source>
        <translation>
            <numerusform>, %n failed. </numerusform>
            <numerusform>, %n failed. </numerusform>
        </translation>
    </message>
</context>
</TS>
