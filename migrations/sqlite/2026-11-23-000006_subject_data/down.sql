DROP TABLE data_packages;
DROP TABLE objections;
DROP TABLE consents;
DROP TABLE personal_records;
DROP TABLE subjects;
