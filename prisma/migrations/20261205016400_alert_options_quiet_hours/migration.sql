-- Alert options (CONTRACT.md "Breaking alerts: what newsrooms need").
ALTER TYPE "AlertStatus" ADD VALUE 'scheduled' BEFORE 'queued';
ALTER TYPE "AlertStatus" ADD VALUE 'cancelled';

CREATE TYPE "AlertPriority" AS ENUM ('major', 'minor');

ALTER TABLE "Alert"
    ADD COLUMN "channels" TEXT[] DEFAULT ARRAY['email', 'push']::TEXT[],
    ADD COLUMN "priority" "AlertPriority" NOT NULL DEFAULT 'major',
    ADD COLUMN "test" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "sendAt" TIMESTAMPTZ(3),
    ADD COLUMN "cancelledAt" TIMESTAMPTZ(3),
    ADD COLUMN "cancelReason" TEXT;

-- Test alerts number their own sequence, so a test never takes the article's real alert.
DROP INDEX "Alert_articleId_sequence_key";
CREATE UNIQUE INDEX "Alert_articleId_test_sequence_key" ON "Alert"("articleId", "test", "sequence");
CREATE INDEX "Alert_status_sendAt_idx" ON "Alert"("status", "sendAt");

-- Readers' quiet hours and daily cap for minor alerts.
ALTER TABLE "Subscriber"
    ADD COLUMN "quietHoursStart" INTEGER,
    ADD COLUMN "quietHoursEnd" INTEGER,
    ADD COLUMN "maxAlertsPerDay" INTEGER;

ALTER TABLE "Delivery" ADD COLUMN "heldUntil" TIMESTAMPTZ(3);

CREATE TABLE "AlertRequestKey" (
    "editorKeyId" TEXT NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "alertId" UUID,
    "response" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertRequestKey_pkey" PRIMARY KEY ("editorKeyId", "key")
);

CREATE INDEX "AlertRequestKey_createdAt_idx" ON "AlertRequestKey"("createdAt");
