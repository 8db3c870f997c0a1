#include "udpreceiver.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <unistd.h>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(quint32));

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

UdpReceiver::UdpReceiver(Options options)
    : m_options(options)
{
    m_options.batch = qBound(1, m_options.batch, 1024);
    m_options.slotBytes = qBound(512, m_options.slotBytes, 65'536);
}

UdpReceiver::UdpReceiver()
    : UdpReceiver(Options {})
{ }

UdpReceiver::~UdpReceiver()
{
    close();
}

bool UdpReceiver::bind(const QHostAddress &address, quint16 port, QString *error, BindError *kind)
{
    close();
    const auto fail = [&](BindError what, int code) {
        if (error)
            *error = systemError(code);
        if (kind)
            *kind = what;
        close();
        return false;
    };
    if (kind)
        *kind = BindError::None;

    sockaddr_storage storage {};
    socklen_t length = 0;
    bool dualStack = false;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol || address == QHostAddress(QHostAddress::Any)) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address == QHostAddress(QHostAddress::Any) ? Q_IPV6ADDR {} : address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, sizeof(in6->sin6_addr));
        in6->sin6_scope_id = address.scopeId().toUInt();
        dualStack = address == QHostAddress(QHostAddress::Any);
        length = sizeof(sockaddr_in6);
    } else {
        return fail(BindError::Other, EAFNOSUPPORT);
    }

    m_fd = ::socket(storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return fail(BindError::Other, errno);
    if (storage.ss_family == AF_INET6) {
        const int v6only = dualStack ? 0 : 1;
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    // No SO_REUSEADDR: a second PerfWatch on the same port must fail, not share the datagrams.
    if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0) {
        const int code = errno;
        return fail(code == EADDRINUSE  ? BindError::AddressInUse
                : code == EADDRNOTAVAIL ? BindError::AddressNotAvailable
                                        : BindError::Other,
            code);
    }

    // A burst should wait in the kernel, not be dropped. SO_RCVBUFFORCE passes net.core.rmem_max
    // when PerfWatch may (CAP_NET_ADMIN); otherwise SO_RCVBUF gives what the limit allows.
    const int wanted = qMax(0, m_options.receiveBufferBytes);
    if (wanted > 0 && ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) != 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
    int granted = 0;
    socklen_t grantedLength = sizeof granted;
    if (::getsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &granted, &grantedLength) == 0)
        m_receiveBufferBytes = granted;
    const int on = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);

    sockaddr_storage bound {};
    socklen_t boundLength = sizeof bound;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &boundLength) != 0)
        return fail(BindError::Other, errno);
    m_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6 *>(&bound)->sin6_port
                                               : reinterpret_cast<const sockaddr_in *>(&bound)->sin_port);

    const auto batch = std::size_t(m_options.batch);
    m_buffer.assign(batch * std::size_t(m_options.slotBytes), 0);
    m_control.assign(batch * kControlBytes, 0);
    m_messages.assign(batch, mmsghdr {});
    m_iov.assign(batch, iovec {});
    m_haveDropCounter = false;
    m_lastDropCounter = 0;
    m_dropped = 0;
    droppedDatagrams(); // the counter starts at 0 on a new socket; read it anyway
    return true;
}

void UdpReceiver::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_port = 0;
    m_received = 0;
}

int UdpReceiver::receive()
{
    m_received = 0;
    if (m_fd < 0)
        return -1;
    const auto batch = std::size_t(m_options.batch);
    const auto slot = std::size_t(m_options.slotBytes);
    for (std::size_t i = 0; i < batch; ++i) {
        m_iov[i].iov_base = m_buffer.data() + i * slot;
        m_iov[i].iov_len = slot;
        msghdr &h = m_messages[i].msg_hdr;
        h = msghdr {};
        h.msg_iov = &m_iov[i];
        h.msg_iovlen = 1;
        h.msg_control = m_control.data() + i * kControlBytes;
        h.msg_controllen = kControlBytes;
        m_messages[i].msg_len = 0;
    }
    int n;
    do {
        n = ::recvmmsg(m_fd, m_messages.data(), unsigned(batch), MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    m_received = n;
    for (int i = 0; i < n; ++i) {
        msghdr &h = m_messages[std::size_t(i)].msg_hdr;
        for (cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL
                && c->cmsg_len >= CMSG_LEN(sizeof(quint32))) {
                quint32 counter = 0;
                std::memcpy(&counter, CMSG_DATA(c), sizeof counter);
                noteDropCounter(counter);
            }
        }
    }
    return n;
}

std::string_view UdpReceiver::datagram(int i) const
{
    Q_ASSERT(i >= 0 && i < m_received);
    const auto slot = std::size_t(m_options.slotBytes);
    const std::size_t length = qMin<std::size_t>(m_messages[std::size_t(i)].msg_len, slot);
    return { m_buffer.data() + std::size_t(i) * slot, length };
}

bool UdpReceiver::truncated(int i) const
{
    Q_ASSERT(i >= 0 && i < m_received);
    return (m_messages[std::size_t(i)].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

quint64 UdpReceiver::droppedDatagrams()
{
    if (m_fd >= 0) {
        quint32 info[SK_MEMINFO_VARS] = {};
        socklen_t length = sizeof info;
        if (::getsockopt(m_fd, SOL_SOCKET, SO_MEMINFO, info, &length) == 0
            && length >= socklen_t((SK_MEMINFO_DROPS + 1) * sizeof(quint32)))
            noteDropCounter(info[SK_MEMINFO_DROPS]);
    }
    return m_dropped;
}

void UdpReceiver::noteDropCounter(quint32 counter)
{
    // The kernel's counter is 32 bits and wraps; each packet carries the value it had when the
    // packet was queued, so an older packet can report less than SO_MEMINFO did a moment ago.
    if (!m_haveDropCounter) {
        m_haveDropCounter = true;
        m_lastDropCounter = counter;
        m_dropped = counter;
        return;
    }
    const quint32 delta = counter - m_lastDropCounter;
    if (delta == 0 || delta >= 0x8000'0000u)
        return; // unchanged, or a stale reading
    m_lastDropCounter = counter;
    m_dropped += delta;
}

} // namespace perfwatch
