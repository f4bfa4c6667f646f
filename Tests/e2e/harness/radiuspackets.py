"""RADIUS packets for the test fakes (RFC 2865, 2866, 3579), standard library only.

Enough to read an Access-Request or Accounting-Request, hide and reveal User-Password, and
sign a reply the way a real server does: Message-Authenticator (HMAC-MD5 over the reply with
the request's authenticator in place) first, then the Response Authenticator (MD5).
Attributes are kept as (type, bytes) pairs in packet order; `ATTRIBUTES` names the few the
tests use.
"""
import hashlib
import hmac
import struct
from dataclasses import dataclass, field

ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_REJECT = 1, 2, 3
ACCOUNTING_REQUEST, ACCOUNTING_RESPONSE = 4, 5

ATTRIBUTES = {
    "User-Name": 1, "User-Password": 2, "NAS-IP-Address": 4, "NAS-Port": 5,
    "Reply-Message": 18, "Class": 25, "Calling-Station-Id": 31, "NAS-Identifier": 32,
    "Acct-Status-Type": 40, "Acct-Input-Octets": 42, "Acct-Output-Octets": 43,
    "Acct-Session-Id": 44, "Acct-Session-Time": 46, "Acct-Terminate-Cause": 49,
    "Message-Authenticator": 80,
}
MESSAGE_AUTHENTICATOR = ATTRIBUTES["Message-Authenticator"]
_HEADER = struct.Struct("!BBH16s")


class RadiusPacketError(ValueError):
    pass


@dataclass
class Packet:
    code: int
    identifier: int
    authenticator: bytes
    attributes: list = field(default_factory=list)   # [(type, value bytes)]

    def get(self, name_or_type, default=None):
        """The first value of an attribute, as bytes."""
        wanted = ATTRIBUTES.get(name_or_type, name_or_type)
        return next((v for t, v in self.attributes if t == wanted), default)

    def text(self, name_or_type, default=None):
        value = self.get(name_or_type)
        return default if value is None else value.decode("utf-8", errors="replace")

    def integer(self, name_or_type, default=None):
        value = self.get(name_or_type)
        return default if value is None else int.from_bytes(value, "big")

    def encode(self) -> bytes:
        body = b"".join(_attribute(t, v) for t, v in self.attributes)
        return _HEADER.pack(self.code, self.identifier, _HEADER.size + len(body), self.authenticator) + body


def _attribute(kind: int, value: bytes) -> bytes:
    if len(value) > 253:
        raise RadiusPacketError(f"attribute {kind} is {len(value)} bytes, more than 253")
    return bytes([kind, 2 + len(value)]) + value


def decode(data: bytes) -> Packet:
    if len(data) < _HEADER.size:
        raise RadiusPacketError(f"{len(data)} bytes is shorter than a RADIUS header")
    code, identifier, length, authenticator = _HEADER.unpack_from(data)
    if not _HEADER.size <= length <= len(data):
        raise RadiusPacketError(f"length field {length} does not fit a {len(data)}-byte datagram")
    attributes, offset = [], _HEADER.size
    while offset < length:
        if offset + 2 > length or data[offset + 1] < 2 or offset + data[offset + 1] > length:
            raise RadiusPacketError(f"malformed attribute at offset {offset}")
        kind, size = data[offset], data[offset + 1]
        attributes.append((kind, data[offset + 2:offset + size]))
        offset += size
    return Packet(code, identifier, authenticator, attributes)


def hide_password(password: bytes, secret: bytes, authenticator: bytes) -> bytes:
    """User-Password encryption of RFC 2865 §5.2."""
    padded = password.ljust(max(16, (len(password) + 15) // 16 * 16), b"\0")
    out, previous = b"", authenticator
    for i in range(0, len(padded), 16):
        key = hashlib.md5(secret + previous).digest()
        previous = bytes(a ^ b for a, b in zip(padded[i:i + 16], key))
        out += previous
    return out


def reveal_password(hidden: bytes, secret: bytes, authenticator: bytes) -> bytes:
    out, previous = b"", authenticator
    for i in range(0, len(hidden), 16):
        key = hashlib.md5(secret + previous).digest()
        out += bytes(a ^ b for a, b in zip(hidden[i:i + 16], key))
        previous = hidden[i:i + 16]
    return out.rstrip(b"\0")


def message_authenticator_ok(raw: bytes, secret: bytes, request_authenticator: bytes = None) -> bool:
    """Checks the Message-Authenticator of a received packet (False when it has none).
    For a reply, pass the authenticator of the request it answers."""
    packet = decode(raw)
    received = packet.get(MESSAGE_AUTHENTICATOR)
    if received is None or len(received) != 16:
        return False
    zeroed = Packet(packet.code, packet.identifier, request_authenticator or packet.authenticator,
                    [(t, b"\0" * 16 if t == MESSAGE_AUTHENTICATOR else v) for t, v in packet.attributes])
    return hmac.compare_digest(hmac.new(secret, zeroed.encode(), hashlib.md5).digest(), received)


def accounting_request_ok(raw: bytes, secret: bytes) -> bool:
    """The Request Authenticator of an Accounting-Request (RFC 2866 §3)."""
    zeroed = raw[:4] + b"\0" * 16 + raw[20:]
    return hmac.compare_digest(hashlib.md5(zeroed + secret).digest(), raw[4:20])


def reply(request: Packet, code: int, secret: bytes, attributes=(), sign_message_authenticator=True) -> bytes:
    """A signed reply to `request`: Message-Authenticator (if asked) over the reply carrying the
    request authenticator, then the Response Authenticator over the finished attributes."""
    attrs = [(ATTRIBUTES.get(t, t), v) for t, v in attributes]
    if sign_message_authenticator:
        attrs.append((MESSAGE_AUTHENTICATOR, b"\0" * 16))
        unsigned = Packet(code, request.identifier, request.authenticator, attrs).encode()
        digest = hmac.new(secret, unsigned, hashlib.md5).digest()
        attrs[-1] = (MESSAGE_AUTHENTICATOR, digest)
    draft = Packet(code, request.identifier, request.authenticator, attrs).encode()
    response_authenticator = hashlib.md5(draft + secret).digest()
    return draft[:4] + response_authenticator + draft[20:]


def response_authenticator_ok(raw_reply: bytes, request_authenticator: bytes, secret: bytes) -> bool:
    expected = hashlib.md5(raw_reply[:4] + request_authenticator + raw_reply[20:] + secret).digest()
    return hmac.compare_digest(expected, raw_reply[4:20])
