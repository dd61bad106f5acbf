-- Every change that can make a reader ineligible for mail is announced on the
-- 'dispatch_eligibility' channel, so outbox workers holding that reader's rows
-- re-read them before sending. Triggers rather than calls in the service: the
-- operator CLI, erasure and hand-run SQL are covered too. PostgreSQL delivers a
-- notification only when its transaction commits, and folds duplicates.
--   s:<subscriber id>  status or address changed, or the subscriber was erased
--   h:<email hash>     the address was suppressed
-- Prisma's driver-adapter migrate splits a script at every semicolon, quoted or
-- not, so the function bodies spell theirs as the escape \073.
CREATE FUNCTION "dispatch_notify_subscriber_change"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pg_notify(''dispatch_eligibility'', ''s:'' || OLD."id")\073 RETURN NULL\073 END'
;
CREATE FUNCTION "dispatch_notify_suppression"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pg_notify(''dispatch_eligibility'', ''h:'' || NEW."emailHash")\073 RETURN NULL\073 END'
;

CREATE TRIGGER "Subscriber_eligibility_changed"
  AFTER UPDATE OF "status", "email" ON "Subscriber"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."email" IS DISTINCT FROM NEW."email")
  EXECUTE FUNCTION "dispatch_notify_subscriber_change"();

CREATE TRIGGER "Subscriber_erased"
  AFTER DELETE ON "Subscriber"
  FOR EACH ROW EXECUTE FUNCTION "dispatch_notify_subscriber_change"();

CREATE TRIGGER "Suppression_added"
  AFTER INSERT ON "Suppression"
  FOR EACH ROW EXECUTE FUNCTION "dispatch_notify_suppression"();
