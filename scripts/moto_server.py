"""moto's DynamoDB/S3 API server, serving one request at a time.

`moto_server` runs Werkzeug with threaded=True, and moto's TransactWriteItems and conditional
writes are not atomic across its threads: 50 concurrent conditional likes by one user can commit
several times. DynamoDB itself guarantees those writes are atomic and serializable, so the local
server must too: this is moto's own server entry point with threaded=False. Each request is
short; concurrency still happens in the gateway and the handlers, which is what the tests probe.

It also rolls a cancelled TransactWriteItems back item by item instead of restoring a deep copy
of the whole table (see `item_level_transaction_rollback`).

Usage: python scripts/moto_server.py <host> <port>
"""

import copy
import signal
import sys
import types

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def item_level_transaction_rollback() -> None:
    """moto backs up every table a TransactWriteItems touches as a deep copy, once per item of
    the transaction, to restore it if the transaction is cancelled. That costs time and memory
    in proportion to the whole table, so a test run's transactions slow down as the table fills
    (quadratically over the run) and the server grows to gigabytes. The semantics stay the same
    (all or nothing; the server serves one request at a time) when only the items the
    transaction names are backed up and put back."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    # moto's transaction code calls `copy.deepcopy(table)`: make that a no-op for tables.
    models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backups = []
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                table = self.get_table(op["TableName"])
                if "Item" in op:
                    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = op["Item"][table.range_key_attr]
                else:
                    key = op["Key"]
                current = self.get_item(table.name, key)
            except Exception:
                continue  # moto rejects this item itself, before writing it
            attrs = copy.deepcopy(current.to_json()["Attributes"]) if current else None
            backups.append((table.name, key, attrs))
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, attrs in reversed(backups):
                if attrs is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attrs)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    item_level_transaction_rollback()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
