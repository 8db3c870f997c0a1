#pragma once

#include <QHostAddress>
#include <QString>
#include <QtGlobal>
#include <string_view>
#include <sys/socket.h>
#include <sys/uio.h>
#include <vector>

namespace perfwatch {

/// A non-blocking UDP socket that reads datagrams in batches and knows what the kernel dropped.
///
/// Linux only (recvmmsg, SO_RXQ_OVFL, SO_MEMINFO). Qt's QUdpSocket reads one datagram per
/// system call and cannot say how many datagrams the kernel threw away when its receive
/// buffer was full; both matter for StatsD, where a busy client sends tens of thousands of
/// datagrams a second and never hears about a loss.
class UdpReceiver final
{
public:
    struct Options
    {
        int receiveBufferBytes = 8 * 1024 * 1024; ///< asked for; the kernel may give less
        int batch = 64; ///< datagrams read per system call
        /// Longest datagram kept whole; the default holds the largest UDP payload (65,527 bytes).
        int slotBytes = 65'536;
    };

    /// How a bind failed.
    enum class BindError : quint8
    {
        None,
        AddressInUse,
        AddressNotAvailable, ///< the address is not one of this host's
        Other
    };

    explicit UdpReceiver(Options options);
    UdpReceiver();
    ~UdpReceiver();
    Q_DISABLE_COPY_MOVE(UdpReceiver)

    /// Binds exclusively (a second socket on the same port is refused). On failure returns
    /// false with the reason in `error` (system wording, no trailing period) and `kind`.
    bool bind(const QHostAddress &address, quint16 port, QString *error, BindError *kind = nullptr);
    void close();

    int descriptor() const { return m_fd; }
    int batchSize() const { return m_options.batch; }
    quint16 localPort() const { return m_port; }
    /// The receive buffer the kernel granted (as getsockopt reports it), in bytes.
    int receiveBufferBytes() const { return m_receiveBufferBytes; }

    /// Reads what is waiting, up to one batch, without blocking. Returns the number of
    /// datagrams read (0 when none is waiting), or -1 on an error other than "nothing waiting".
    /// datagram(i) is valid until the next call.
    int receive();
    std::string_view datagram(int i) const;
    /// The datagram was longer than a slot (Options::slotBytes): only its start was kept.
    bool truncated(int i) const;

    /// Datagrams the kernel dropped on this socket since bind() (its receive buffer was full).
    quint64 droppedDatagrams();

private:
    void noteDropCounter(quint32 counter);

    Options m_options;
    int m_fd = -1;
    quint16 m_port = 0;
    int m_receiveBufferBytes = 0;
    std::vector<char> m_buffer; ///< batch slots of Options::slotBytes
    std::vector<char> m_control; ///< one control-message area per slot
    std::vector<mmsghdr> m_messages;
    std::vector<iovec> m_iov;
    int m_received = 0;
    bool m_haveDropCounter = false;
    quint32 m_lastDropCounter = 0; ///< the kernel's 32-bit counter, as last seen
    quint64 m_dropped = 0; ///< m_lastDropCounter unwrapped
};

} // namespace perfwatch
