-- Back to version 10: the indexes the desktop's alerts use go.
DROP INDEX conversations_awaiting_team;
DROP INDEX messages_failed_text_backs;
