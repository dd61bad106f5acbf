-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "uncertainResends" INTEGER NOT NULL DEFAULT 0;

