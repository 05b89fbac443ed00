#pragma once

#include <QByteArray>
#include <QString>

namespace app {

/// The app's authorization for one dataset added to a running session. airlock-vmm cannot open
/// new host files once its sandbox is up; a small broker process it forked before that opens them,
/// but only for a dataset whose grant was made with the session's key, which only the app and the
/// broker hold. A compromised engine therefore cannot reach files the user never dropped.
class DatasetGrant {
public:
    /// Bytes in a session key.
    static constexpr qsizetype kKeyBytes = 32;
    /// The environment variable that hands the key to airlock-vmm (64 hex digits).
    static constexpr const char* kKeyVariable = "AIRLOCK_DATASET_GRANT_KEY";
    /// A fresh session key from the operating system's cryptographic random source.
    static QByteArray makeKey();
    /// HMAC-SHA256(key, "airlock-dataset-grant-v1\n" + name + "\n" + hostPath), UTF-8, as 64 hex
    /// digits: the grant for showing `hostPath` to the guest as /datasets/`name`.
    static QByteArray mac(const QByteArray& key, const QString& name, const QString& hostPath);
};

} // namespace app
