-- Back to version 11: attachments go (the blob store's files stay until removed by hand).
DROP INDEX requests_with_attachments;
ALTER TABLE requests DROP COLUMN attachments;
ALTER TABLE messages DROP COLUMN others;
DROP INDEX attachments_by_thumbnail;
DROP INDEX attachments_by_hash;
DROP TABLE attachments;
