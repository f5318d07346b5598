"""The send path: storing a message through group commit, layer by layer.

``Database.send`` → ``writer`` → ``transactions`` → ``batch`` → ``statements``:

- ``writer.SendWriter`` queues concurrent sends and takes up to ``max_batch`` of them at a
  time (group commit). Each send's future resolves after its batch's transaction commits;
  a failed batch is rolled back whole and its sends are redone one transaction each.
- ``transactions`` runs one batch in one transaction, on the database's own driver path
  (``transactions_for`` chooses):

  - SQLite: ``SqliteThreadTransactions``, a pysqlite connection on a thread of its own
    (``BEGIN IMMEDIATE``), running ``SqliteStatements``;
  - PostgreSQL on asyncpg: ``AsyncpgTransactions``, asyncpg's own transaction on a pooled
    connection with the batch in a greenlet, running ``AsyncpgStatements``;
  - any other async driver: ``AsyncEngineTransactions``, ``AsyncConnection.run_sync``
    running ``CoreStatements`` (SQLAlchemy Core).

  The flow repository writes its messages in its own SQLAlchemy transaction through
  ``batch.write_batch_on`` (``CoreStatements``, or ``SqliteStatements`` on pysqlite).
- ``batch.write_batch`` is one batch, synchronous: lock the conversations
  (``context``), find earlier sends with the same idempotency keys, move each
  conversation's ``last_seq`` over a gap-free range, insert the new messages; one
  ``Outcome`` per send, in order.
- ``statements.BatchStatements`` is what a batch runs, implemented once per driver path
  (``core_statements``, ``sqlite_statements``, ``asyncpg_statements``). Their texts are
  made from one column list each (``columns``: ``rows.MESSAGE_FIELDS``, the ``messages``
  table's columns, and ``context.CONTEXT_FIELDS``); message rows are read by column name
  (``rows.message_from_values``), context rows unpacked into locals of the same names.
"""

from chinwag.storage.send.batch import (
    Outcome,
    StoredMessage,
    find_by_keys,
    write_batch,
    write_batch_on,
)
from chinwag.storage.send.transactions import BatchTransactions, transactions_for
from chinwag.storage.send.writer import SendWriter

__all__ = [
    "BatchTransactions",
    "Outcome",
    "SendWriter",
    "StoredMessage",
    "find_by_keys",
    "transactions_for",
    "write_batch",
    "write_batch_on",
]
