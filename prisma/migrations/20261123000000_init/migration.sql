-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SubscriberStatus" AS ENUM ('pending', 'confirmed', 'unsubscribed');

-- CreateEnum
CREATE TYPE "Frequency" AS ENUM ('daily', 'weekly');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('queued', 'sending', 'sent');

-- CreateEnum
CREATE TYPE "DeliveryKind" AS ENUM ('confirm', 'manage', 'digest', 'alert');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain');

-- CreateTable
CREATE TABLE "Article" (
    "id" VARCHAR(200) NOT NULL,
    "title" VARCHAR(500) NOT NULL,
    "url" TEXT NOT NULL,
    "summary" VARCHAR(2000),
    "author" TEXT,
    "imageUrl" TEXT,
    "breaking" BOOLEAN NOT NULL DEFAULT false,
    "breakingOnArrival" BOOLEAN NOT NULL DEFAULT false,
    "tags" TEXT[],
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Article_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "status" "SubscriberStatus" NOT NULL DEFAULT 'pending',
    "tags" TEXT[],
    "frequency" "Frequency" NOT NULL DEFAULT 'daily',
    "sendHour" INTEGER NOT NULL DEFAULT 7,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "weekday" INTEGER NOT NULL DEFAULT 1,
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "nextDigestAt" TIMESTAMPTZ(3),
    "confirmedAt" TIMESTAMPTZ(3),
    "unsubscribedAt" TIMESTAMPTZ(3),
    "softBounces" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Suppression" (
    "emailHash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("emailHash")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "articleId" VARCHAR(200) NOT NULL,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "tags" TEXT[],
    "sentBy" TEXT NOT NULL,
    "status" "AlertStatus" NOT NULL DEFAULT 'queued',
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "fannedOutAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstSentAt" TIMESTAMPTZ(3),
    "lastSentAt" TIMESTAMPTZ(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestRun" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "trigger" TEXT NOT NULL,
    "due" INTEGER NOT NULL DEFAULT 0,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "empty" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DigestRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" BIGSERIAL NOT NULL,
    "kind" "DeliveryKind" NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'queued',
    "subscriberId" UUID,
    "alertId" UUID,
    "runId" UUID,
    "articleIds" TEXT[],
    "relatedIds" TEXT[],
    "payload" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Article_publishedAt_idx" ON "Article"("publishedAt");

-- CreateIndex
CREATE INDEX "Article_tags_idx" ON "Article" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_email_key" ON "Subscriber"("email");

-- CreateIndex
CREATE INDEX "Subscriber_status_nextDigestAt_idx" ON "Subscriber"("status", "nextDigestAt");

-- CreateIndex
CREATE INDEX "Subscriber_tags_idx" ON "Subscriber" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "Alert_fannedOutAt_idx" ON "Alert"("fannedOutAt");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_articleId_sequence_key" ON "Alert"("articleId", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_dedupeKey_key" ON "Delivery"("dedupeKey");

-- CreateIndex
CREATE INDEX "Delivery_status_priority_nextAttemptAt_id_idx" ON "Delivery"("status", "priority", "nextAttemptAt", "id");

-- CreateIndex
CREATE INDEX "Delivery_subscriberId_createdAt_idx" ON "Delivery"("subscriberId", "createdAt");

-- CreateIndex
CREATE INDEX "Delivery_alertId_status_idx" ON "Delivery"("alertId", "status");

-- CreateIndex
CREATE INDEX "Delivery_status_leaseUntil_idx" ON "Delivery"("status", "leaseUntil");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE SET NULL ON UPDATE CASCADE;

