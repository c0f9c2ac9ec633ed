"""moto's DynamoDB/S3 API server, serving one request at a time.

`moto_server` runs Werkzeug with threaded=True, and moto's TransactWriteItems and conditional
writes are not atomic across its threads: 50 concurrent conditional likes by one user can commit
several times. DynamoDB itself guarantees those writes are atomic and serializable, so the local
server must too: this is moto's own server entry point with threaded=False. Each request is
short; concurrency still happens in the gateway and the handlers, which is what the tests probe.

Usage: python scripts/moto_server.py <host> <port>
"""

import signal
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
