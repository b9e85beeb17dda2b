"""An independent MMS PDU codec for core/tests/mms_pdu_oracle.rs: python-messaging (PyPI),
written apart from Ringback's. `decode` reads a PDU as hex on stdin and prints its headers and
parts as JSON; `encode` prints, as hex, an m-retrieve-conf it composed itself."""

import json
import os
import sys
import tempfile

from messaging.mms import mms_pdu, wsp_pdu
from messaging.mms.message import MMSMessage, MMSMessagePage

# The library names part headers from WSP encoding version 1.2 by default, which has no
# Content-ID (0x40, assigned in 1.3); Android's composer, and Ringback's, send it as 0xC0.
_field_names = wsp_pdu.get_header_field_names
wsp_pdu.get_header_field_names = lambda version="1.3": _field_names(version)

# A part's headers are WSP headers (WAP-230 8.5.3, Table 39), but the library reads them
# with the MMS header table first, where 0x0E is X-Mms-Message-Size rather than
# Content-Location; read the body's parts with the WSP table alone.
_decode_body = mms_pdu.MMSDecoder.decode_message_body


def _decode_body_with_wsp_headers(self, data_iter):
    self.decode_header = wsp_pdu.Decoder.decode_header
    try:
        return _decode_body(self, data_iter)
    finally:
        del self.decode_header


mms_pdu.MMSDecoder.decode_message_body = _decode_body_with_wsp_headers


JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9])


def plain(value):
    """Header values as JSON: tuples (content type, parameters) become lists."""
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value if isinstance(value, (str, int, float, list, type(None))) else str(value)


def decode():
    data = bytes.fromhex(sys.stdin.read().strip())
    message = MMSMessage.from_data(data)
    parts = [
        {
            "content_type": part.content_type,
            "parameters": plain(part.content_type_parameters),
            "headers": plain({k: v for k, v in part.headers.items() if k != "Content-Type"}),
            "data": bytes(part.data).hex(),
        }
        for part in message.data_parts
    ]
    print(json.dumps({"headers": plain(message.headers), "parts": parts}))


def encode():
    message = MMSMessage()
    message.headers["Message-Type"] = "m-retrieve-conf"
    message.headers["Transaction-Id"] = "oracle-1"
    message.headers["MMS-Version"] = "1.2"
    message.headers["From"] = "+15551234567/TYPE=PLMN"
    message.headers["To"] = "+12125550142/TYPE=PLMN"
    message.headers["Subject"] = "The boiler label"
    page = MMSMessagePage()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "label.jpg")
        with open(path, "wb") as image:
            image.write(JPEG)
        page.add_image(path)
        # The library reads a file in text mode on Python 3; hand it the data instead,
        # and its encoder takes a str of code points 0-255.
        page.image[0]._data = JPEG.decode("latin-1")
        page.add_text("Model number is on the photo")
        message.add_page(page)
        print(bytes(message.encode()).hex())


if __name__ == "__main__":
    {"decode": decode, "encode": encode}[sys.argv[1]]()
