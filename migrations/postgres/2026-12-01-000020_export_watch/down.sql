DROP TABLE export_spike_alerts;
DROP TABLE officer_exports;
