#pragma once

#include <QHostAddress>
#include <QString>

namespace perfwatch {

/// The one-line error of a listener (HTTP, StatsD, gRPC) asked to bind an address that is not
/// one of this host's (EADDRNOTAVAIL): it names --bind, the flag to change, not the port's.
QString addressNotOnThisHostError(const QHostAddress &address);

} // namespace perfwatch
