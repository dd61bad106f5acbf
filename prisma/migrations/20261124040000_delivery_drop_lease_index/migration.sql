-- Expired leases are found through the (status, priority, nextAttemptAt, id) index:
-- only rows being sent have status 'sending', a few hundred per worker. This index
-- cost an insertion on every claim and every send, three per email.
DROP INDEX "Delivery_status_leaseUntil_idx";
