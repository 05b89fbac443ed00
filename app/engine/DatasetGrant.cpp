#include "DatasetGrant.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace app {

QByteArray DatasetGrant::makeKey()
{
    // QRandomGenerator::system() reads the kernel's CSPRNG (getrandom) on Linux.
    QByteArray key(kKeyBytes, Qt::Uninitialized);
    for (char& byte : key)
        byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return key;
}

QByteArray DatasetGrant::mac(const QByteArray& key, const QString& name, const QString& hostPath)
{
    QByteArray message = QByteArrayLiteral("airlock-dataset-grant-v1\n") + name.toUtf8() + '\n' +
        hostPath.toUtf8();
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).toHex();
}

} // namespace app
