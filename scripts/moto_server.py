"""moto's DynamoDB/S3 API server, serving one request at a time.

`moto_server` runs Werkzeug with threaded=True, and moto's TransactWriteItems and conditional
writes are not atomic across its threads: 50 concurrent conditional likes by one user can commit
several times. DynamoDB itself guarantees those writes are atomic and serializable, so the local
server must too: this is moto's own server entry point with threaded=False. Each request is
short; concurrency still happens in the gateway and the handlers, which is what the tests probe.

moto's TransactWriteItems also snapshots the whole table once for every item of the
transaction (to roll back on a cancel); with a table of a few thousand items that is most of the
test suite's time. `copy_tables_once_per_transaction` keeps its behaviour and takes one snapshot
per table and transaction.

Usage: python scripts/moto_server.py <host> <port>
"""

import copy
import signal
import sys

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class _TableSnapshots:
    """The `copy` module, but within one transaction a table is deep-copied once: every copy the
    transaction asks for is taken before any of its writes, so they are all the same snapshot."""

    def __init__(self):
        self._snapshots = {}

    def __getattr__(self, name):
        return getattr(copy, name)

    def deepcopy(self, obj, *args, **kwargs):
        if isinstance(obj, Table):
            if id(obj) not in self._snapshots:
                self._snapshots[id(obj)] = copy.deepcopy(obj)
            return self._snapshots[id(obj)]
        return copy.deepcopy(obj, *args, **kwargs)


def copy_tables_once_per_transaction():
    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        dynamodb_models.copy = _TableSnapshots()
        try:
            return original(self, transact_items)
        finally:
            dynamodb_models.copy = copy

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    copy_tables_once_per_transaction()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
