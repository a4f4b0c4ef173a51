DROP TABLE retention_notices;
