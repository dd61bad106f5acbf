-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "leaseToken" UUID;

-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "fanoutLeaseUntil" TIMESTAMPTZ(3),
ADD COLUMN "fanoutCursor" UUID;
