"""moto's DynamoDB/S3 API server, serving one request at a time.

`moto_server` runs Werkzeug with threaded=True, and moto's TransactWriteItems and conditional
writes are not atomic across its threads: 50 concurrent conditional likes by one user can commit
several times. DynamoDB itself guarantees those writes are atomic and serializable, so the local
server must too: this is moto's own server entry point with threaded=False. Each request is
short; concurrency still happens in the gateway and the handlers, which is what the tests probe.

It also rolls a cancelled TransactWriteItems back item by item instead of restoring a deep copy
of the whole table (see `item_level_transaction_rollback`), and honours TransactWriteItems'
`ClientRequestToken` as DynamoDB does, which moto ignores (see `client_request_tokens`): without
it, a transaction whose answer was lost (a dropped connection) and that the SDK sends again would
be applied twice here, where DynamoDB applies it once.

Usage: python scripts/moto_server.py <host> <port>
"""

import collections
import copy
import hashlib
import json
import signal
import sys
import time
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


IDEMPOTENCY_WINDOW_SECS = 600


def client_request_tokens() -> None:
    """DynamoDB makes a TransactWriteItems with a `ClientRequestToken` idempotent: the same token
    within 10 minutes of the first request answers success without applying anything again,
    and the same token with other parameters is refused with IdempotentParameterMismatch
    (API reference, TransactWriteItems). moto ignores the token, so here a transaction that
    succeeded is remembered by its token with a digest of its other parameters. As DynamoDB's
    documentation speaks of a repeat of a request that succeeded, a cancelled transaction is not
    remembered: its repeat (our conflict retry keeps the token) is run again."""
    from moto.core.responses import ActionResult
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
    from moto.dynamodb.responses import DynamoHandler

    class IdempotentParameterMismatch(DynamodbException):
        def __init__(self) -> None:
            super().__init__(
                ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
                message="Transaction request with the same client token was made with different parameters",
            )

    done: "collections.OrderedDict[str, tuple[float, str]]" = collections.OrderedDict()
    original = DynamoHandler.transact_write_items

    def transact_write_items(self):
        token = self.body.get("ClientRequestToken")
        if token is None:
            return original(self)
        now = time.monotonic()
        while done and next(iter(done.values()))[0] <= now:
            done.popitem(last=False)
        others = {k: v for k, v in self.body.items() if k != "ClientRequestToken"}
        digest = hashlib.sha256(json.dumps(others, sort_keys=True).encode()).hexdigest()
        if token in done:
            if done[token][1] != digest:
                raise IdempotentParameterMismatch()
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = original(self)
        done[token] = (now + IDEMPOTENCY_WINDOW_SECS, digest)
        return result

    DynamoHandler.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    item_level_transaction_rollback()
    client_request_tokens()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
