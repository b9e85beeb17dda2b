-- Back to version 12: the index of the texts waiting for a retry goes.
DROP INDEX messages_retrying;
