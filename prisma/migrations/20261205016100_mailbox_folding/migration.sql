-- Suppression, erasure and per-mailbox counting key on the mailbox: the address
-- case-folded, with a "+suffix" of the local part removed (a leading "+" is part
-- of the name). Must match mailboxOf() in src/suppression/email-hash.ts.
-- Prisma's driver-adapter migrate splits a script at every semicolon, so the
-- function bodies have none.
CREATE FUNCTION "dispatch_mailbox"(address text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS 'SELECT lower(CASE WHEN position(''+'' IN substr(split_part(address, ''@'', 1), 2)) > 0
                        THEN left(split_part(address, ''@'', 1), position(''+'' IN substr(split_part(address, ''@'', 1), 2)))
                        ELSE split_part(address, ''@'', 1) END
                   || substr(address, length(split_part(address, ''@'', 1)) + 1))'
;

CREATE FUNCTION "dispatch_mailbox_hash"(address text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  AS 'SELECT encode(sha256(convert_to(dispatch_mailbox(address), ''UTF8'')), ''hex'')'
;

-- Erasure removes every spelling of the reader's mailbox.
CREATE INDEX "Subscriber_mailbox_idx" ON "Subscriber" ("dispatch_mailbox"("email"));

-- Rows written before folding hold the hash of the address as typed. Where the
-- address is still known (a bounce suppressed a reader who is still on the list),
-- the mailbox's row is added. Erased readers' rows can only be matched as typed,
-- which every check still does.
INSERT INTO "Suppression" ("emailHash", "reason", "createdAt")
SELECT DISTINCT ON (dispatch_mailbox_hash(s."email")) dispatch_mailbox_hash(s."email"), x."reason", x."createdAt"
FROM "Subscriber" s
JOIN "Suppression" x ON x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex')
ORDER BY dispatch_mailbox_hash(s."email"), x."createdAt"
ON CONFLICT ("emailHash") DO NOTHING;
