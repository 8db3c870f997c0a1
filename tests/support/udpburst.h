#pragma once

// Sends StatsD bursts faster than any reader takes them, for the burst tests (unit and e2e).

#include <QByteArray>
#include <QtGlobal>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace perfwatch::test {

/// Sends `count` copies of `payload` to 127.0.0.1:port, 256 per sendmmsg call. Loopback UDP
/// does not block the sender: what the receiver's buffer cannot hold is dropped on its side.
/// Returns how many the kernel took (count, unless the machine is out of memory).
inline int sendBurst(quint16 port, int count, const QByteArray &payload)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    constexpr int kBatch = 256;
    iovec iov { const_cast<char *>(payload.constData()), std::size_t(payload.size()) };
    std::vector<mmsghdr> messages(kBatch);
    for (mmsghdr &m : messages) {
        m.msg_hdr.msg_name = &to;
        m.msg_hdr.msg_namelen = sizeof to;
        m.msg_hdr.msg_iov = &iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    int sent = 0;
    while (sent < count) {
        const int n = ::sendmmsg(fd, messages.data(), unsigned(qMin(kBatch, count - sent)), 0);
        if (n <= 0)
            break;
        sent += n;
    }
    ::close(fd);
    return sent;
}

} // namespace perfwatch::test
