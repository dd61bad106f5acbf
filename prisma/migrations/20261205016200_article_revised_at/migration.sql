-- AlterTable
ALTER TABLE "Article" ADD COLUMN     "revisedAt" TIMESTAMPTZ(3);
