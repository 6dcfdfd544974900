"""SMKI: the Smart Metering Key Infrastructure's certificates, roles and revocation."""
