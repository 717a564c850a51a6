"""Entry point of the page-image child: ``python -m weerbaar.ingest._render PATH PAGE
MAX_PIXELS MEMORY_MB CPU_S`` (started by :func:`weerbaar.ingest.pageimage.render_page_png`)."""

import sys

from weerbaar.ingest.pageimage import child_main

if __name__ == "__main__":
    try:
        code = child_main(
            sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        )
    except MemoryError:
        code = 4
    except Exception:  # any parser failure: the parent shows a Dutch message
        code = 5
    sys.exit(code)
