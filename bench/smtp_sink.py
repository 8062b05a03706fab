#!/usr/bin/env python
"""A tiny SMTP sink for bench/signing_load.py: accepts every message, keeps none, and appends one
line per message to a file: its arrival time (time.time(), when the end of its data came in),
then its recipients.

    python bench/smtp_sink.py OUT_FILE [--port 0]

Prints the port it listens on (127.0.0.1), then serves until it is terminated.
"""

import argparse
import asyncio
import time


async def session(reader, writer, out):
    writer.write(b"220 sink ESMTP\r\n")
    recipients = []
    while line := await reader.readline():
        command = line[:4].upper()
        if command in (b"HELO", b"EHLO"):
            writer.write(b"250 sink\r\n")
        elif command == b"MAIL":
            recipients = []
            writer.write(b"250 OK\r\n")
        elif command == b"RCPT":
            address = line.partition(b"<")[2].partition(b">")[0]
            recipients.append(address.decode("utf-8", "replace"))
            writer.write(b"250 OK\r\n")
        elif command == b"DATA":
            writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            await writer.drain()
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            out.write(f"{time.time():.6f} {' '.join(recipients)}\n")
            out.flush()
            writer.write(b"250 OK\r\n")
        elif command == b"QUIT":
            writer.write(b"221 Bye\r\n")
            break
        else:  # RSET, NOOP...
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def serve(path, port):
    with open(path, "a") as out:
        server = await asyncio.start_server(
            lambda reader, writer: session(reader, writer, out), "127.0.0.1", port
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.out, args.port))
