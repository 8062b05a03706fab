"""A tiny PDF writer for the demo documents (text only, Helvetica, A4), so that building the demo
needs neither a browser nor WeasyPrint and stays fast. Real documents are uploaded by staff."""

import textwrap

PAGE_WIDTH, PAGE_HEIGHT = 595, 842
MARGIN = 64
LINE_HEIGHT = 15
WRAP = 88


def _escape(text):
    raw = (
        text.replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("«\u00a0", "«")
        .replace("\u00a0»", "»")
    )
    data = raw.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(title, paragraphs):
    yield ("F2", 16, title)
    yield ("F1", 11, "")
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, WRAP) or [""]:
            yield ("F1", 11, line)
        yield ("F1", 11, "")


def build_pdf(title, paragraphs):
    """Bytes of a valid PDF with `title` in bold and `paragraphs` wrapped over as many pages as needed."""
    per_page = (PAGE_HEIGHT - 2 * MARGIN) // LINE_HEIGHT
    lines = list(_lines(title, paragraphs))
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    catalog = add(None)
    pages_id = add(None)
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for page_lines in pages:
        stream = [b"BT", f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
        for font, size, text in page_lines:
            stream.append(f"/{font} {size} Tf".encode() + b" (" + _escape(text) + b") Tj")
            stream.append(f"0 -{LINE_HEIGHT + (6 if size > 11 else 0)} Td".encode())
        stream.append(b"ET")
        content = b"\n".join(stream)
        content_id = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                (
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                    f"/Resources << /Font << /F1 {regular} 0 R /F2 {bold} 0 R >> >> /Contents {content_id} 0 R >>"
                ).encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    kid_refs = " ".join(f"{kid} 0 R" for kid in kids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kid_refs}] /Count {len(kids)} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
