#pragma once

#include "protowire.h"

#include <string>
#include <string_view>

namespace perfwatch::test {

/// A google.rpc.Status read back from its protobuf bytes (an OTLP protobuf error body, or a gRPC
/// status's details): code, message, and the delay of a google.rpc.RetryInfo among its details.
struct RpcStatus
{
    bool valid = false;
    qint64 code = -1;
    std::string message;
    std::string detailType; ///< the type URL of the first detail
    qint64 retrySeconds = -1; ///< RetryInfo.retry_delay.seconds; -1 without one
};

inline RpcStatus parseRpcStatus(std::string_view bytes)
{
    RpcStatus status;
    ProtoReader r(bytes);
    while (r.next()) {
        if (r.field() == 1 && r.isVarint()) {
            status.code = r.signedValue();
        } else if (r.field() == 2 && r.isLength()) {
            status.message = std::string(r.bytes());
        } else if (r.field() == 3 && r.isLength() && status.detailType.empty()) {
            ProtoReader any(r.bytes());
            std::string_view value;
            while (any.next()) {
                if (any.field() == 1 && any.isLength())
                    status.detailType = std::string(any.bytes());
                else if (any.field() == 2 && any.isLength())
                    value = any.bytes();
            }
            if (status.detailType != "type.googleapis.com/google.rpc.RetryInfo")
                continue;
            ProtoReader retryInfo(value);
            while (retryInfo.next()) {
                if (retryInfo.field() != 1 || !retryInfo.isLength())
                    continue;
                ProtoReader duration(retryInfo.bytes());
                status.retrySeconds = 0;
                while (duration.next()) {
                    if (duration.field() == 1 && duration.isVarint())
                        status.retrySeconds = duration.signedValue();
                }
            }
        }
    }
    status.valid = !r.failed();
    return status;
}

} // namespace perfwatch::test
