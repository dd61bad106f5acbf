-- CreateEnum
CREATE TYPE "DeliveryFeedback" AS ENUM ('bounced', 'complained');

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "feedback" "DeliveryFeedback",
ADD COLUMN     "feedbackAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "FeedbackEvent" (
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "deliveryId" BIGINT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeedbackEvent_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "SoftBounceStreak" (
    "subscriberId" UUID NOT NULL,
    "count" INTEGER NOT NULL,
    "firstAt" TIMESTAMPTZ(3) NOT NULL,
    "lastAt" TIMESTAMPTZ(3) NOT NULL,
    "lastDeliveryId" BIGINT NOT NULL,

    CONSTRAINT "SoftBounceStreak_pkey" PRIMARY KEY ("subscriberId")
);

-- CreateIndex
CREATE INDEX "FeedbackEvent_deliveryId_idx" ON "FeedbackEvent"("deliveryId");

-- CreateIndex
CREATE INDEX "Delivery_messageId_idx" ON "Delivery"("messageId");

