/**
 * The PeriodO vocabulary (`http://n2t.net/ark:/99152/p0v#`): the terms of its own that the
 * PeriodO dataset uses, beside the SKOS, OWL-Time, PROV and Dublin Core terms it borrows.
 * Served as Turtle at `/v.ttl` and highlighted at `/v.ttl.html`.
 */
export const VOCABULARY_TURTLE = `@prefix periodo: <http://n2t.net/ark:/99152/p0v#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# ------------------------------------------------------------------------------------
# The vocabulary
# ------------------------------------------------------------------------------------

<http://n2t.net/ark:/99152/p0v>
    a owl:Ontology ;
    dcterms:title "PeriodO vocabulary"@en ;
    dcterms:description """Terms defined by PeriodO for its gazetteer of period definitions.
Periods are described as skos:Concept resources grouped into skos:ConceptScheme
authorities, with their temporal extent expressed through OWL-Time intervals and their
editing history through PROV activities. Where those vocabularies lack a term, PeriodO
defines one here: year bounds for an uncertain start or end, a free-text statement of a
period's geographic extent, and the roles people play in changes to the dataset."""@en ;
    vann:preferredNamespacePrefix "periodo" ;
    vann:preferredNamespaceUri "http://n2t.net/ark:/99152/p0v#" ;
    rdfs:seeAlso <https://perio.do/> .

# ------------------------------------------------------------------------------------
# Temporal extent
#
# A period starts with one time:ProperInterval (time:intervalStartedBy) and ends with
# another (time:intervalFinishedBy). Each is described by a time:DateTimeDescription
# (time:hasDateTimeDescription) that gives either a single time:year or, when the
# source only narrows the moment down to a span of years, an earliest and a latest year.
# ------------------------------------------------------------------------------------

periodo:earliestYear
    a owl:DatatypeProperty , rdf:Property ;
    rdfs:label "earliest year"@en ;
    rdfs:comment """The first year in which the described moment (the start or the end of a
period) may fall, when it is known only to lie within a span of years. Years are
numbered as in ISO 8601, so that 0000 is 1 BC and -0001 is 2 BC."""@en ;
    rdfs:domain time:DateTimeDescription ;
    rdfs:range xsd:gYear ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .

periodo:latestYear
    a owl:DatatypeProperty , rdf:Property ;
    rdfs:label "latest year"@en ;
    rdfs:comment """The last year in which the described moment (the start or the end of a
period) may fall, when it is known only to lie within a span of years. Used together
with periodo:earliestYear; the two bound the span inclusively."""@en ;
    rdfs:domain time:DateTimeDescription ;
    rdfs:range xsd:gYear ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .

# ------------------------------------------------------------------------------------
# Spatial extent
# ------------------------------------------------------------------------------------

periodo:spatialCoverageDescription
    a owl:DatatypeProperty , rdf:Property ;
    rdfs:label "spatial coverage description"@en ;
    rdfs:comment """A short human-readable statement, usually taken from or closely following
the source, of the geographic area to which a period definition applies. The places it
names are linked separately, as resources, with dcterms:spatial."""@en ;
    rdfs:domain skos:Concept ;
    rdfs:range rdfs:Literal ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .

# ------------------------------------------------------------------------------------
# Roles in the provenance of changes
#
# Each change to the dataset is a prov:Activity. The agents involved are linked to it by
# qualified associations (prov:qualifiedAssociation), and each association states with
# prov:hadRole which of these roles the agent played.
# ------------------------------------------------------------------------------------

periodo:submitted
    a prov:Role ;
    rdfs:label "submitted"@en ;
    rdfs:comment "The role of the agent who proposed a change to the dataset by submitting a patch."@en ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .

periodo:updated
    a prov:Role ;
    rdfs:label "updated"@en ;
    rdfs:comment "The role of an agent who revised a submitted patch before it was accepted or rejected."@en ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .

periodo:merged
    a prov:Role ;
    rdfs:label "merged"@en ;
    rdfs:comment "The role of the agent who reviewed a submitted patch and applied it to the dataset, producing a new version."@en ;
    rdfs:isDefinedBy <http://n2t.net/ark:/99152/p0v> .
`;
