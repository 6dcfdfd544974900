@rehearsal
Feature: The SoLR rehearsal with things going wrong, on a fleet of 400 meters
  scenarios/solr-faults.yaml written as a feature, on a smaller fleet: while the SRP switches
  Bright Energy's prepayment meters, part of the WAN goes down, some communications hubs are
  offline, a compromised SRP tries to put meters into prepayment, requests arrive before Ofgem's
  instruction, and the failed supplier still acts on its meters after its revocation. Bright
  Energy arranged no SRP in advance: the DCC holds its meters' alerts from the revocation until
  Ofgem's instruction.

  Background:
    Given a rehearsal "solr-faults" from Monday 08:00 to Tuesday 08:00 with seed 20261103
    And a fleet of 400 meters: 55% ESME, 35% GSME and 10% SMETS1, 25% of them in prepayment
    And the SRP is "Shared Resource Provider", DCC User "90-B3-D5-1F-30-0A-00-00", sending 20 requests a second in batches of 100, each up to 5 times 300 seconds apart
    And the SRP starts 10 minutes after Ofgem's instruction, its ARO having submitted an ADT of 400 SR 1.6 a day
    And the suppliers of the fleet:
      | supplier      | DCC User                | share | fails at     | arranged the SRP |
      | Bright Energy | 90-B3-D5-1F-30-01-00-00 | 40%   | Monday 09:00 | no               |
      | Steady Power  | 90-B3-D5-1F-30-03-00-00 | 60%   |              | no               |
    And Ofgem revokes the failed supplier's certificates at Monday 09:05 and instructs the SRP at Monday 09:30
    And the WAN's round trips:
      | meters       | median | spread |
      | ESME         | 3 s    | 0.5    |
      | GSME         | 5 s    | 0.6    |
      | SMETS1 meter | 15 s   | 0.8    |
    And the WAN loses 0.5% of frames, and the DCC waits 120 seconds for a device to answer
    And the WAN is out for 10% of the fleet from Monday 09:45 to Monday 11:45
    And 5% of the communications hubs are offline from Monday 09:00 to Monday 15:00
    And at Monday 11:00 a compromised SRP tries to put 3 meters into prepayment
    And at Monday 09:15, before Ofgem's instruction, the SRP sends 2 requests to switch meters to credit
    And at Monday 09:12 the failed supplier sends SR 1.6 setting credit to 4 of its meters
    And at Monday 12:00 the failed supplier sends SR 1.6 setting prepayment to 3 of its meters
    And meters raise alert 0x8F1F 4 times between Monday 09:06 and Monday 09:27
    And meters raise alert 0x8F3F 5 times between Monday 09:00 and Monday 20:00
    And meters raise alert 0x8F1D 5 times between Monday 10:00 and Monday 14:00

  @R5.1 @R5.2 @R6.2 @R6.5 @R7.1 @smets1 @smets2
  Scenario: The DCC refuses what MP134B forbids and the SRP still switches the rest
    When the rehearsal runs
    Then within 24 hours of the failure 85% of the failed supplier's reachable prepayment meters are in credit
    And no request to put a meter into prepayment is actioned
    And at least 3 requests are rejected or quarantined at the "content" stage
    And at least 2 requests are rejected or quarantined at the "solr-instruction" stage
    And every alert of the failed supplier's meters from its revocation on reaches the SRP
    And every request the failed supplier sends after its revocation is refused
    And at least 7 requests are rejected or quarantined at the "signature" stage
