-- A removed push subscription is announced on 'dispatch_eligibility' like an
-- unsubscribe, so an outbox worker holding a push to it drops the push before
-- sending (its eligibility is "the subscription still exists").
--   p:<push subscription id>
-- Semicolons in the body are spelled \073 (see 20261124090000_eligibility_notifications).
CREATE FUNCTION "dispatch_notify_push_subscription_removed"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pg_notify(''dispatch_eligibility'', ''p:'' || OLD."id")\073 RETURN NULL\073 END'
;

CREATE TRIGGER "PushSubscription_removed"
  AFTER DELETE ON "PushSubscription"
  FOR EACH ROW EXECUTE FUNCTION "dispatch_notify_push_subscription_removed"();
