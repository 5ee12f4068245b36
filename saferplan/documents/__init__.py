"""Charts, tables and PDF/DOCX/CSV rendering shared by every stage.

- ``tables``: :class:`Table` with statistical disclosure control (``publish=True``).
- ``charts``: Altair chart definitions rendered to SVG (pages, PDF) and PNG (Word).
- ``document``: a document as data; ``pdf.render_pdf`` and ``word.render_docx`` render it.
"""
