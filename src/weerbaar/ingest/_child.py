"""Entry point of the parse worker process: ``python -m weerbaar.ingest._child IN OUT MB
TARGET`` (started by :class:`weerbaar.ingest.worker.ParsePool`)."""

import sys
from multiprocessing.connection import Connection

from weerbaar.ingest.worker import _worker_main

if __name__ == "__main__":
    _worker_main(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
        sys.argv[4],
    )
