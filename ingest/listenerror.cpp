#include "listenerror.h"

namespace perfwatch {

QString addressNotOnThisHostError(const QHostAddress &address)
{
    return QStringLiteral("cannot listen on %1: it is not an address of this host; choose another with --bind "
                          "(127.0.0.1 for this host only, 0.0.0.0 for every interface)")
        .arg(address.toString());
}

} // namespace perfwatch
