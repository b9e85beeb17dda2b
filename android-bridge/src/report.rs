//! Reading the radio's reports: sent result codes and delivery-report PDUs.
